package bootstrap

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/tfrebuild/tfrebuild/internal/awserr"
)

// CrossAccountPullSid names the repository policy statement tfrebuild owns:
// the accounts allowed to pull. Other statements are left as they are.
const CrossAccountPullSid = "TfrebuildCrossAccountPull"

// PullActions are what an account needs to pull an image.
var PullActions = []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}

// CrossAccountPullStatement is the statement that lets accounts pull from
// a repository.
func CrossAccountPullStatement(accounts []string) json.RawMessage {
	stmt := map[string]any{
		"Sid":       CrossAccountPullSid,
		"Effect":    "Allow",
		"Principal": map[string]any{"AWS": accountPrincipals(accounts)},
		"Action":    PullActions,
	}
	b, _ := json.Marshal(stmt)
	return b
}

func accountPrincipals(accounts []string) []string {
	out := make([]string, 0, len(accounts))
	for _, a := range accounts {
		out = append(out, "arn:aws:iam::"+a+":root")
	}
	return out
}

// pullAccounts are the accounts that must be able to pull from repository
// name: sorted, without duplicates, and without the registry's own
// account, which needs no grant.
func (s *Session) pullAccounts(name string, opts Options) []string {
	var out []string
	for _, a := range opts.PullAccounts[name] {
		if a != s.Account.ID && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

// pullPolicySetting keeps the cross-account pull statement of a repository
// policy equal to the accounts listed; with none listed, it removes a
// statement left from an earlier configuration.
func (s *Session) pullPolicySetting(repo string, accounts []string) setting {
	return setting{
		name: "cross-account pull policy",
		check: func(ctx context.Context) (bool, string, error) {
			doc, err := s.repositoryPolicy(ctx, repo)
			if err != nil {
				return false, "", err
			}
			got, present := granted(doc)
			switch {
			case !present && len(accounts) == 0:
				return true, "", nil
			case !present:
				return false, "no statement lets account(s) " + strings.Join(accounts, ", ") + " pull", nil
			case len(accounts) == 0:
				return false, "statement " + CrossAccountPullSid + " still lets " + strings.Join(got, ", ") + " pull; no account is listed now", nil
			case slices.Equal(got, accounts):
				return true, "", nil
			}
			return false, fmt.Sprintf("pull is granted to %s, want %s", orNobody(got), strings.Join(accounts, ", ")), nil
		},
		fix: func(ctx context.Context) error {
			doc, err := s.repositoryPolicy(ctx, repo)
			if err != nil {
				return err
			}
			if len(accounts) == 0 {
				doc.remove(CrossAccountPullSid)
			} else {
				doc.put(CrossAccountPullStatement(accounts))
			}
			if len(doc.Statement) == 0 {
				_, err := s.ECR.DeleteRepositoryPolicy(ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: aws.String(repo)})
				if awserr.Is(err, "RepositoryPolicyNotFoundException") {
					return nil
				}
				return err
			}
			text, err := json.Marshal(doc)
			if err != nil {
				return err
			}
			_, err = s.ECR.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String(repo), PolicyText: aws.String(string(text))})
			return err
		},
	}
}

func (s *Session) repositoryPolicy(ctx context.Context, repo string) (*policyDoc, error) {
	out, err := s.ECR.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String(repo)})
	if awserr.Is(err, "RepositoryPolicyNotFoundException") {
		return &policyDoc{Version: "2012-10-17"}, nil
	}
	if err != nil {
		return nil, err
	}
	return parsePolicy(aws.ToString(out.PolicyText), "repository policy")
}

// granted reads the accounts tfrebuild's statement lets pull, sorted; the
// statement counts only when it still allows every pull action.
func granted(doc *policyDoc) (accounts []string, present bool) {
	i := doc.index(CrossAccountPullSid)
	if i < 0 {
		return nil, false
	}
	var st struct {
		Effect    string
		Principal struct{ AWS stringList }
		Action    stringList
	}
	if json.Unmarshal(doc.Statement[i], &st) != nil || st.Effect != "Allow" {
		return nil, true
	}
	for _, a := range PullActions {
		if !slices.Contains(st.Action, a) {
			return nil, true
		}
	}
	for _, p := range st.Principal.AWS {
		// Both forms name the whole account: "123456789012" and its root ARN.
		id := strings.TrimSuffix(strings.TrimPrefix(p, "arn:aws:iam::"), ":root")
		if !slices.Contains(accounts, id) {
			accounts = append(accounts, id)
		}
	}
	slices.Sort(accounts)
	return accounts, true
}

// stringList is an IAM policy field that holds one string or a list.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

func orNobody(accounts []string) string {
	if len(accounts) == 0 {
		return "no account"
	}
	return strings.Join(accounts, ", ")
}
