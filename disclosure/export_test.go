package disclosure

// Prepare exposes prepare to the package's external tests.
var Prepare = prepare
