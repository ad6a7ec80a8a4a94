// Package testenv starts the real parts tests run against: moto_server on a
// free loopback port, and an isolated environment per test (AWS variables,
// endpoint, Terraform CLI config, temp directories). Nothing here talks to
// real AWS or to any address but 127.0.0.1.
package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// Moto is a running moto_server.
type Moto struct {
	URL string
	cmd *exec.Cmd
	log *os.File
}

// StartMoto starts moto_server on 127.0.0.1 on a free port and waits until
// it answers. Its output goes to logPath.
func StartMoto(ctx context.Context, logPath string) (*Moto, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("moto_server is not on PATH (install it with: pip install 'moto[server]==5.2.1'): %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group, so that Stop also ends the workers it forks.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	m := &Moto{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, log: logf}
	if err := m.waitReady(ctx, 60*time.Second); err != nil {
		m.Stop()
		return nil, err
	}
	return m, nil
}

func (m *Moto) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		resp, err := client.Get(m.URL + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("moto_server did not answer on %s within %s (log: %s)", m.URL, limit, m.log.Name())
}

// Stop ends moto_server and its process group: SIGTERM, then SIGKILL after
// five seconds.
func (m *Moto) Stop() {
	if m == nil || m.cmd.Process == nil {
		return
	}
	pgid := -m.cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = m.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-done
	}
	m.log.Close()
}

// Reset drops every resource moto holds.
func (m *Moto) Reset() error {
	resp, err := http.Post(m.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("moto reset: " + resp.Status)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
