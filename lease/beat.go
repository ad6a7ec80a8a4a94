package lease

import (
	"context"
	"errors"
	"time"
)

// beat refreshes the heartbeat every TTL/3 until Release. A refresh that
// finds another record loses the lease; one that fails for a whole TTL
// loses it too, since another run may take it over from then on.
func (l *Lease) beat() {
	defer close(l.done)
	every := l.o.ttl() / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			if l.refresh(every) != nil {
				return
			}
		}
	}
}

// refresh writes one heartbeat; it returns the loss, if any.
func (l *Lease) refresh(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	l.mu.Lock()
	me, ver := l.me, l.version
	l.mu.Unlock()
	sent := l.o.now()
	me.Heartbeat = sent.UTC()
	nv, err := l.s.Put(ctx, me, ver)
	switch {
	case err == nil:
		l.mu.Lock()
		l.version, l.lastOK = nv, l.o.now()
		l.mu.Unlock()
		l.proved(sent)
		return nil
	case errors.Is(err, ErrConflict):
		other, _, _ := l.s.Read(ctx)
		return l.lose(other, "its record was replaced")
	}
	l.mu.Lock()
	stale := l.o.now().Sub(l.lastOK) > l.o.ttl()
	l.mu.Unlock()
	if stale {
		return l.lose(nil, "its heartbeat failed for "+l.o.ttl().String()+": "+err.Error())
	}
	return nil
}

// Release stops the heartbeat and deletes the record if it is still this
// run's. A lease lost already, or whose backend is gone (destroy --all
// deleted it), has nothing left to delete.
func (l *Lease) Release(ctx context.Context) error {
	var err error
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		if l.Err() != nil {
			return
		}
		l.mu.Lock()
		ver := l.version
		l.mu.Unlock()
		err = l.s.Delete(ctx, ver)
		if errors.Is(err, ErrConflict) {
			err = nil // taken over meanwhile: nothing of ours to delete
		}
	})
	return err
}
