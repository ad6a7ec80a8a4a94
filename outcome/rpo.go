package outcome

import (
	"fmt"
	"time"

	"github.com/tfrebuild/tfrebuild/restore"
)

// DescribeRPO says how old a restore's data is against the objective:
// "recovery point 2026-11-25T06:00:00Z, data age 4m0s (RPO 15m0s: within)".
func DescribeRPO(m restore.RPO) string {
	if m.RecoveryPoint == nil {
		return "recovery point unknown: not within RPO"
	}
	s := "recovery point " + m.RecoveryPoint.UTC().Format(time.RFC3339)
	if m.DataLossSeconds != nil {
		s += ", data loss " + (time.Duration(*m.DataLossSeconds) * time.Second).String() + " before the incident at " + m.IncidentAt.UTC().Format(time.RFC3339)
	} else if m.DataAgeSeconds != nil {
		s += ", data age " + (time.Duration(*m.DataAgeSeconds) * time.Second).String()
	}
	switch {
	case m.RPOSeconds == 0:
		return s + " (no rpo set)"
	case m.RPOMet:
		return s + fmt.Sprintf(" (RPO %s: within)", time.Duration(m.RPOSeconds)*time.Second)
	}
	return s + fmt.Sprintf(" (RPO %s: OVER the recovery point objective)", time.Duration(m.RPOSeconds)*time.Second)
}
