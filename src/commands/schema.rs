//! `apimguard schema`: the snapshot's JSON Schema on standard output.

/// Prints the schema.
pub fn run() -> miette::Result<u8> {
    let schema = crate::snapshot::json_schema();
    let text = serde_json::to_string_pretty(&schema).expect("schema serializes");
    super::output::print(&(text + "\n"))?;
    Ok(0)
}
