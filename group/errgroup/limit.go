package errgroup

import "fmt"

// A limit bounds the number of active goroutines of a Group. Each active
// goroutine started under it holds one token, taken before it starts and
// given back when its function has returned. Goroutines give their token
// back to the limit they took it from, so replacing the limit never loses
// or invents a token.
type limit struct {
	// tokens has one slot per goroutine allowed. Only a goroutine that
	// put a token in takes one out, so a receive never blocks.
	tokens   chan struct{}
	replaced chan struct{} // closed when SetLimit replaces this limit
}

// acquire takes a token, blocking while the limit is reached, and reports
// whether it did: it reports false when SetLimit replaced l meanwhile.
func (l *limit) acquire() bool {
	if l.tryAcquire() {
		return true
	}
	select {
	case l.tokens <- struct{}{}:
		return true
	case <-l.replaced:
		// The caller tries again under the new limit. Only a limit
		// nobody held (SetLimit(0), say) or a removed one (SetLimit(-1))
		// can be replaced while Go waits; x/sync leaves such a Go waiting
		// on a limit that no longer exists.
		return false
	}
}

// tryAcquire takes a token if the limit is not reached and reports whether
// it did.
func (l *limit) tryAcquire() bool {
	select {
	case l.tokens <- struct{}{}:
		return true
	default:
		return false
	}
}

// release gives back a token taken from l; on a nil l (no limit) it does
// nothing.
func (l *limit) release() {
	if l != nil {
		<-l.tokens
	}
}

// SetLimit limits the number of active goroutines in the Group to at most n.
// A negative n removes the limit. A limit of zero lets no goroutine start:
// Go blocks and TryGo reports false. The limit applies to the calls to Go and
// TryGo made after it; a goroutine is active from the moment Go or TryGo
// admits it until its function returns.
//
// A Go blocked on the old limit when SetLimit replaces it tries again under
// the new one (with x/sync it would wait on the old limit for good).
//
// SetLimit panics, with an error as x/sync's does, if n is not negative and
// any goroutine of the Group is still active: the limit must not change
// while goroutines run. x/sync panics only when a limit was already set;
// without one, such a call is a data race there.
func (g *Group) SetLimit(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	old := g.lim.Load()
	var l *limit
	if n >= 0 {
		if active := g.activeLocked(old); active != 0 {
			panic(fmt.Errorf("errgroup: modify limit while %v goroutines in the group are still active", active))
		}
		// n slots: see tokens.
		l = &limit{tokens: make(chan struct{}, n), replaced: make(chan struct{})}
	}
	g.lim.Store(l)
	if old != nil {
		close(old.replaced)
	}
}

// activeLocked returns how many goroutines of the Group are active: the
// running tasks of the current generation, or the tokens held in old when
// that is more (a Go holds its token a moment before its task is counted).
func (g *Group) activeLocked(old *limit) int {
	active := 0
	if old != nil {
		active = len(old.tokens)
	}
	if gen := g.gen.Load(); gen != nil {
		active = max(active, int(gen.Stats().Running))
	}
	return active
}
