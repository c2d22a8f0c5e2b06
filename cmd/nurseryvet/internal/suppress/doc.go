// Package suppress reports nurseryvet's diagnostics except where the code
// says, with a //nurseryvet:ignore comment, that the finding is deliberate.
//
// A comment
//
//	//nurseryvet:ignore reason
//
// on the line of a finding, or alone on the line above it, silences every
// check there; //nurseryvet:ignore=lostgroup,outerctx reason silences only
// the checks named. The reason is free text for the reader.
package suppress
