package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// median is the middle value (the mean of the two middle ones for an
// even count), 0 for none.
func median[T time.Duration | float64](vs []T) T {
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// peakRSS follows a running process's own high-water mark of resident
// memory (VmHWM in /proc, which excludes the Terraform processes it
// starts) until it exits, and returns the last value read, in MiB.
func peakRSS(cmd *exec.Cmd, done <-chan struct{}) float64 {
	var kb float64
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if v, ok := vmHWM(cmd.Process.Pid); ok {
			kb = v
		}
		select {
		case <-done:
			return kb / 1024
		case <-t.C:
		}
	}
}

func vmHWM(pid int) (float64, bool) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return n, err == nil
		}
	}
	return 0, false
}

func r(d time.Duration) string { return d.Round(10 * time.Millisecond).String() }

// stageTimes reads the stage_finished events of apply --json.
func stageTimes(out string) map[string]time.Duration {
	times := map[string]time.Duration{}
	for _, line := range strings.Split(out, "\n") {
		var e struct {
			Type    string  `json:"type"`
			Stage   string  `json:"stage"`
			Status  string  `json:"status"`
			Seconds float64 `json:"seconds"`
		}
		if json.Unmarshal([]byte(line), &e) != nil || e.Type != "stage" || e.Stage == "" || e.Seconds == 0 {
			continue
		}
		if e.Status == "done" || e.Status == "failed" {
			times[e.Stage] = time.Duration(e.Seconds * float64(time.Second))
		}
	}
	return times
}
