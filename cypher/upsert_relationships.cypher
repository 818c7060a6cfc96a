// Upsert one batch of relationships of one type between two labels.
// $rows: [{source: string, target: string, props: map}]. {{source_label}},
// {{type}} and {{target_label}} are filled in by the loader from
// kg.models.NODE_LABELS / REL_TYPES. Nodes are upserted first, so MATCH finds
// both ends; MERGE keeps one relationship per (source, type, target).
UNWIND $rows AS row
MATCH (a:{{source_label}} {id: row.source})
MATCH (b:{{target_label}} {id: row.target})
MERGE (a)-[r:{{type}}]->(b)
SET r += row.props
