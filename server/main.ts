/** Umlauf's server entry point. The HTTP server, persistence and job runner land with the server issues. */
console.log('Umlauf: the engine is ready (see README.md); the server is not built yet.');
