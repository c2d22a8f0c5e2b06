// Package optkit holds what the options of nursery's packages share: each
// package has one Option type, and an option given to a function it is
// not for panics with a message that names both.
package optkit

import "strings"

// Check panics unless fn is one of fns, the functions that the option
// called name of package pkg applies to.
func Check(pkg, name string, fns []string, fn string) {
	for _, f := range fns {
		if f == fn {
			return
		}
	}
	of := fns[len(fns)-1]
	if len(fns) > 1 {
		of = strings.Join(fns[:len(fns)-1], ", ") + " or " + of
	}
	panic(pkg + ": " + name + " is an option of " + of + ", not of " + fn)
}
