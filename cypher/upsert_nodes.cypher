// Upsert one batch of nodes of one label, keyed by `id`.
// $rows: [{id: string, props: map}]. {{label}} is filled in by the loader with
// a label from kg.models.NODE_LABELS (labels cannot be parameters); values
// arrive only through $rows. SET += overwrites the listed properties, so a
// re-run leaves the same node with the same properties.
UNWIND $rows AS row
MERGE (n:{{label}} {id: row.id})
SET n += row.props
