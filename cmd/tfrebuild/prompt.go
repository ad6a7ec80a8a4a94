package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
)

// confirm asks on a terminal; without one it refuses unless --yes.
func confirm(env *cliEnv, yes bool, question string) error {
	if yes {
		return nil
	}
	if !isTerminal(env.stdin) {
		return &usageError{msg: "refusing to change infrastructure without confirmation: no terminal to ask on", hint: "add --yes"}
	}
	fmt.Fprintf(env.stderr, "%s Type 'yes' to continue: ", question)
	line, _ := bufio.NewReader(env.stdin).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		return errors.New("not confirmed; nothing was changed")
	}
	return nil
}

type indented struct{ err error }

func (i indented) Error() string { return "  " + strings.ReplaceAll(i.err.Error(), "\n", "\n  ") }
func (i indented) Unwrap() error { return i.err }

func indentError(err error) error { return indented{err} }
