//! `apimguard schema`: the snapshot's JSON Schema on standard output.

/// Prints the schema; always succeeds.
pub fn run() -> miette::Result<u8> {
    let schema = crate::snapshot::json_schema();
    println!(
        "{}",
        serde_json::to_string_pretty(&schema).expect("schema serializes")
    );
    Ok(0)
}
