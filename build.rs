//! Rebuild when the built-in rule pack changes: `include_dir!` embeds `policies/`,
//! but on stable Rust the compiler cannot track the files it reads.

fn main() {
    println!("cargo:rerun-if-changed=policies");
}
