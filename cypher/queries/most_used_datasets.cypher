// Most-used datasets: how many papers evaluate on or introduce each dataset.
// Parameters: $limit: most rows to return.
// Columns: dataset, papers, ranked by papers then name.
MATCH (p:Paper)-[:EVALUATES_ON|INTRODUCES]->(d:Dataset)
RETURN d.name AS dataset, count(DISTINCT p) AS papers
ORDER BY papers DESC, dataset
LIMIT $limit
