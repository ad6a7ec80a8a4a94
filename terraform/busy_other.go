//go:build !unix

package terraform

import (
	"context"
	"os"
	"time"
)

const busyFd = 3

func holdBusy(wd Workdir) (*os.File, error) { return nil, nil }

func keepBusy() {}

func waitIdle(ctx context.Context, wd Workdir, limit time.Duration) error { return nil }

func tryLock(path string) (unlock func(), ok bool) { return func() {}, true }

func holdShared(path string) (*os.File, error) { return nil, nil }
