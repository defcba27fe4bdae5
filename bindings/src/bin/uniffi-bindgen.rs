//! The uniffi bindings generator, built against this crate's uniffi version
//! so that generated Kotlin and Swift match the library's scaffolding.

fn main() {
    uniffi::uniffi_bindgen_main()
}
