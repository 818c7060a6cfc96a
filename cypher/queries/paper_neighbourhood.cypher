// A paper's neighbourhood: everything it links to, and why.
// Parameters: $paper: the paper's id, its arXiv id, or its exact title (any case).
// Columns: relationship, label, name, mentions, evidence (the sentence behind the edge).
MATCH (p:Paper)
WHERE p.id = $paper OR p.arxiv_id = $paper OR toLower(p.title) = toLower($paper)
MATCH (p)-[r]->(n)
RETURN type(r) AS relationship, labels(n)[0] AS label, n.name AS name, r.count AS mentions, r.sentence AS evidence
ORDER BY relationship, name
