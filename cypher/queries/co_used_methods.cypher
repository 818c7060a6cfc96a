// Methods co-used with a method: other methods the same papers propose or use.
// Parameters: $method: the method's name (any case), one of its aliases, or its id;
//             $limit: most rows to return.
// Columns: method, papers (how many papers use both), ranked by papers.
MATCH (m:Method)
WHERE toLower(m.name) = toLower($method) OR m.id = $method OR $method IN m.aliases
MATCH (m)<-[:USES|PROPOSES]-(p:Paper)-[:USES|PROPOSES]->(other:Method)
WHERE other.id <> m.id
RETURN other.name AS method, count(DISTINCT p) AS papers
ORDER BY papers DESC, method
LIMIT $limit
