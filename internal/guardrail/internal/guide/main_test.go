package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"text/template"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
)

// committed is the guide as the repository holds it, where tfplugindocs
// reads its templates.
const committed = "../../../provider/templates/guides/guardrails.md.tmpl"

func TestCommittedGuideIsCurrent(t *testing.T) {
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if want := render(guardrail.Rules()); !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the generator writes; run go generate ./internal/guardrail", committed)
	}
}

func TestGuideListsEveryRule(t *testing.T) {
	guide := string(render(guardrail.Rules()))
	for _, r := range guardrail.Rules() {
		for _, s := range []string{"\n## " + r.ID + "\n", r.Title, r.Why, r.Fix, r.Bad, r.Good} {
			if !strings.Contains(guide, s) {
				t.Errorf("the guide lacks %q of rule %s", s, r.ID)
			}
		}
	}
}

// tfplugindocs runs the template through text/template: it must parse, and
// render to itself, holding no template actions.
func TestGuideIsAPlainTemplate(t *testing.T) {
	src := string(render(guardrail.Rules()))
	if !strings.HasPrefix(src, "---\npage_title: \"Guardrails\"\nsubcategory: \"\"\n") {
		t.Errorf("front matter does not start with page_title and subcategory:\n%.120s", src)
	}
	tmpl, err := template.New("guardrails").Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, nil); err != nil {
		t.Fatal(err)
	}
	if out.String() != src {
		t.Error("the template renders to something other than itself: it holds template actions")
	}
}
