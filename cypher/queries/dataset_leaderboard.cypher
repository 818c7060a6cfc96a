// Leaderboard-style results for a dataset: every stated number tied to it, per metric.
// Parameters: $dataset: the dataset's name (any case), one of its aliases, or its id.
// Columns: metric, value (as written), score (its number), paper (id), title.
// Within a metric the highest score comes first; for error-like metrics
// (lower is better) read the rows bottom-up. Results come from the parallel
// result_* lists on EVALUATES_ON / INTRODUCES edges (see kg/db/rows.py).
MATCH (d:Dataset)
WHERE toLower(d.name) = toLower($dataset) OR d.id = $dataset OR $dataset IN d.aliases
MATCH (p:Paper)-[r:EVALUATES_ON|INTRODUCES]->(d)
WITH p, r, coalesce(r.result_scores, []) AS scores
UNWIND range(0, size(scores) - 1) AS i
RETURN r.result_metrics[i] AS metric, r.result_values[i] AS value, scores[i] AS score, p.id AS paper, p.title AS title
ORDER BY metric, score DESC, title
