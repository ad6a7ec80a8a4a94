package rebuild

import (
	"fmt"
)

// noteAccounts says, in the preflight notes, who the caller is in each
// account the guard checked: the target first, then the declared accounts.
func (c *core) noteAccounts(conn *Connection) {
	c.note("preflight", fmt.Sprintf("caller %s is in account %s; region %s", conn.Identity.ARN, conn.Identity.Account, c.cfg.Target.Region))
	for _, a := range c.cfg.Accounts {
		s := conn.Accounts[a.Name]
		if s == nil {
			continue
		}
		via := "the caller's credentials reach"
		if a.RoleARN != "" {
			via = "role " + a.RoleARN + " leads to"
		}
		c.note("preflight", fmt.Sprintf("%s: %s account %s as %s; region %s", s.Account.Label(), via, s.Identity.Account, s.Identity.ARN, a.Region))
	}
}
