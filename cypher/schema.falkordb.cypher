// Schema for the embedded FalkorDB: a range index per node label on `id`, so
// each MERGE finds its node without a label scan. FalkorDB has no
// IF NOT EXISTS here; the backend ignores "already indexed" on a re-run.
CREATE INDEX FOR (n:Paper) ON (n.id);
CREATE INDEX FOR (n:Method) ON (n.id);
CREATE INDEX FOR (n:Dataset) ON (n.id);
CREATE INDEX FOR (n:Metric) ON (n.id);
CREATE INDEX FOR (n:Task) ON (n.id);
CREATE INDEX FOR (n:Repository) ON (n.id);
