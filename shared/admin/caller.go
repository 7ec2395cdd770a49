package admin

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
)

// Caller is the partner user calling a customer route: a loaded Session, or one whose current
// records are still being read (Authenticating) while the route's first reads run alongside. The
// partner and the user are known either way (a verified token names them); Authenticated waits
// for the records. A route returns nothing it read before Authenticated succeeded and its gate
// passed, so overlapping the reads saves a round trip of latency and changes no answer.
type Caller interface {
	PartnerID() string
	UserID() string
	Authenticated() (Session, error)
}

// PartnerID is the session's partner.
func (s Session) PartnerID() string { return s.Partner.ID }

// UserID is the session's user.
func (s Session) UserID() string { return s.Principal.User.ID }

// Authenticated returns the session itself: it is loaded.
func (s Session) Authenticated() (Session, error) { return s, nil }

// Authenticating starts load, the session of a verified token of partnerID's user userID, at
// once and returns a Caller whose Authenticated waits for it.
func Authenticating(partnerID, userID string, load func() (Session, error)) Caller {
	var sess Session
	done := alongside(func() (err error) {
		sess, err = load()
		return err
	})
	return &authenticating{partnerID: partnerID, userID: userID, wait: sync.OnceValues(func() (Session, error) {
		err := <-done // happens after the write of sess
		return sess, err
	})}
}

type authenticating struct {
	partnerID, userID string
	wait              func() (Session, error)
}

func (a *authenticating) PartnerID() string               { return a.partnerID }
func (a *authenticating) UserID() string                  { return a.userID }
func (a *authenticating) Authenticated() (Session, error) { return a.wait() }

// alongside runs f in its own goroutine and returns where its error arrives (a panic becomes an
// error, as it would in the request's own goroutine).
func alongside(f func() error) <-chan error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("admin: panic in a concurrent read: %v\n%s", p, debug.Stack())
			}
		}()
		done <- f()
	}()
	return done
}

// readAlongside runs read concurrently with gate and returns gate's error first: what read found
// counts only when the gate passed (read's error after it).
func readAlongside(ctx context.Context, read func(context.Context) error, gate func() error) error {
	done := alongside(func() error { return read(ctx) })
	err := gate()
	rerr := <-done
	if err != nil {
		return err
	}
	return rerr
}
