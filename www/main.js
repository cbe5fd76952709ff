// Loads the dashboard's wasm module; everything else happens in Rust
// (src/dashboard, escucha-core's dashboard module).
import init from './wasm/escucha_dashboard.js';
init();
