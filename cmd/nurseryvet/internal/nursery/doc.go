// Package nursery tells nurseryvet's checks which functions, methods and
// types of github.com/nursery-go/nursery they are looking at: it is the one
// place that knows the library's API by name.
package nursery
