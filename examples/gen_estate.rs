//! Writes a deterministic synthetic snapshot of N APIs, for benchmarks and scale tests.
//!
//! ```sh
//! cargo run --release --example gen_estate -- 100000 /tmp/estate-100k.json [SEED]
//! ```

use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: gen_estate APIS OUT.json [SEED]";
    let apis: usize = args.next().and_then(|a| a.parse().ok()).expect(usage);
    let out = PathBuf::from(args.next().expect(usage));
    let seed: u64 = args.next().map_or(42, |s| s.parse().expect(usage));
    let snapshot = apimguard::synthetic::estate(apis, seed);
    // Compact JSON: at 100k APIs the pretty form is twice the size.
    let file =
        std::io::BufWriter::new(std::fs::File::create(&out).expect("creates the output file"));
    serde_json::to_writer(file, &snapshot).expect("writes the snapshot");
    eprintln!("wrote {} ({apis} APIs, seed {seed})", out.display());
}
