package bootstrap

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// registriesAhead are repository descriptions read ahead (DescribeAhead)
// while the caller's identity is checked: a resume's registries stage
// then only looks at what they found, and a stack that names a registry
// does not wait a round trip for it. Only a description that found the
// repository is used, and only once; a repository not found ahead, or a
// read that failed, is described again at the stage, since it may have
// been created since. Nothing is written on the strength of a read made
// before the identity was proved: a repository is created only after
// being described again.
type registriesAhead struct {
	mu    sync.Mutex
	reads map[string]*describeAhead // by repository name
}

// describeAhead is one repository's description being read.
type describeAhead struct {
	done chan struct{}
	out  *ecr.DescribeRepositoriesOutput
	err  error
}

// DescribeAhead starts describing the repositories, each at most once per
// session, registryReads at a time.
func (s *Session) DescribeAhead(ctx context.Context, names []string) {
	if s.described == nil {
		return
	}
	s.described.mu.Lock()
	defer s.described.mu.Unlock()
	if s.described.reads == nil {
		s.described.reads = map[string]*describeAhead{}
	}
	slots := make(chan struct{}, registryReads)
	for _, n := range names {
		if _, started := s.described.reads[n]; started {
			continue
		}
		d := &describeAhead{done: make(chan struct{})}
		s.described.reads[n] = d
		go func() {
			defer close(d.done)
			slots <- struct{}{}
			defer func() { <-slots }()
			d.out, d.err = s.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{n}})
		}()
	}
}

// takeDescribed returns the description read ahead of a repository, once,
// when it found exactly that repository; ok is false otherwise (none
// started, it failed or found none, or ctx ended first).
func (s *Session) takeDescribed(ctx context.Context, name string) (*ecr.DescribeRepositoriesOutput, bool) {
	if s.described == nil {
		return nil, false
	}
	s.described.mu.Lock()
	d := s.described.reads[name]
	if d != nil {
		s.described.reads[name] = &describeAhead{done: closed, err: errTaken}
	}
	s.described.mu.Unlock()
	if d == nil {
		return nil, false
	}
	select {
	case <-d.done:
	case <-ctx.Done():
		return nil, false
	}
	if d.err != nil || len(d.out.Repositories) != 1 {
		return nil, false
	}
	return d.out, true
}

// closed is a channel that is closed: a read that is over.
var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// errTaken marks a read ahead that was used: the next question reads afresh.
var errTaken = errors.New("read ahead: used once already")
