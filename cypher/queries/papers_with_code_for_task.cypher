// Papers with code for a task: papers addressing the task that link a repository.
// Parameters: $task: the task's name (any case), one of its aliases, or its id.
// Columns: paper (id), title, code (the repository URL as written in the paper).
MATCH (t:Task)
WHERE toLower(t.name) = toLower($task) OR t.id = $task OR $task IN t.aliases
MATCH (t)<-[:ADDRESSES]-(p:Paper)-[:HAS_CODE]->(r:Repository)
RETURN p.id AS paper, p.title AS title, r.url AS code
ORDER BY title, code
