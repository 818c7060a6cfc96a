// Papers evaluated on a dataset.
// Parameters: $dataset: the dataset's name (any case), one of its aliases, or its id.
// Columns: paper (id), title, evidence (the sentence the edge came from).
// Example: kg query out papers_evaluated_on_dataset --params '{"dataset": "ImageNet"}'
MATCH (d:Dataset)
WHERE toLower(d.name) = toLower($dataset) OR d.id = $dataset OR $dataset IN d.aliases
MATCH (p:Paper)-[r:EVALUATES_ON]->(d)
RETURN p.id AS paper, p.title AS title, r.sentence AS evidence
ORDER BY title, paper
