// Nodes per label, to check a load against the graph it came from.
MATCH (n)
RETURN labels(n)[0] AS label, count(n) AS nodes
ORDER BY label
