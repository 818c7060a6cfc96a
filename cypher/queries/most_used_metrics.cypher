// Most-used metrics: how many papers measure each metric.
// Parameters: $limit: most rows to return.
// Columns: metric, papers, ranked by papers then name.
MATCH (p:Paper)-[:MEASURES]->(m:Metric)
RETURN m.name AS metric, count(DISTINCT p) AS papers
ORDER BY papers DESC, metric
LIMIT $limit
