// Starts the page's first list (the compact cluster view) while app.js and its modules load.
// app.js takes this response for its first render; later lists it fetches itself.
window.kstatePrefetch = fetch('/kstate/v1/clusterview', { headers: { accept: 'application/json' } })
