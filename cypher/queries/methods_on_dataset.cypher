// Methods used or proposed by papers that evaluate on a dataset.
// Parameters: $dataset: the dataset's name (any case), one of its aliases, or its id;
//             $limit: most rows to return.
// Columns: method, papers (how many such papers mention it), ranked by papers.
MATCH (d:Dataset)
WHERE toLower(d.name) = toLower($dataset) OR d.id = $dataset OR $dataset IN d.aliases
MATCH (d)<-[:EVALUATES_ON]-(p:Paper)-[:USES|PROPOSES]->(m:Method)
RETURN m.name AS method, count(DISTINCT p) AS papers
ORDER BY papers DESC, method
LIMIT $limit
