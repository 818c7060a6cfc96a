// Relationships per type, to check a load against the graph it came from.
MATCH ()-[r]->()
RETURN type(r) AS type, count(r) AS relationships
ORDER BY type
