"""Export: the graph to files (node-link JSON, GraphML, Cypher script, HTML) and to Neo4j."""
