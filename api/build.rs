//! The migrations are embedded in the binary (`diesel_migrations::embed_migrations!`): rebuild when any of them
//! changes or a new one is added, which the macro alone does not notice.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
