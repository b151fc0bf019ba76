package bot

import (
	"strings"
	"testing"
)

// TestNoticesAboutTheReaderSpeakToThem: a coordinator who is also in the team reads their own
// answer as "Hai accettato", not their name in the third person; others still read the name.
func TestNoticesAboutTheReaderSpeakToThem(t *testing.T) {
	t.Parallel()
	b := New(Config{Store: nil, DefaultLocale: "it"})
	giulia := PersonRef{ID: 7, Name: "Giulia Cecchi"}
	mario := PersonRef{ID: 8, Name: "Mario Rossi"}
	team := ProjectTeam{ProjectID: 3, ProjectTitle: "Ciclovia", Coordinator: &giulia, Slots: []Invitation{
		{ID: 1, Slot: 1, Person: giulia, Status: InviteAccepted},
		{ID: 2, Slot: 2, Person: mario, Status: InvitePending},
		{ID: 3, Slot: 3, Person: PersonRef{ID: 9, Name: "Hui Xu"}, Status: InvitePending},
	}}
	self := b.acceptedNotice(team, team.Slots[0])
	if len(self) != 1 || !strings.HasPrefix(self[0].Reply.Text, "Hai accettato l'invito") || strings.Contains(self[0].Reply.Text, "Giulia") {
		t.Errorf("notice about the coordinator to the coordinator: %+v", self)
	}
	other := b.acceptedNotice(team, Invitation{ID: 2, Slot: 2, Person: mario, Status: InviteAccepted})
	if len(other) != 1 || !strings.HasPrefix(other[0].Reply.Text, "Mario Rossi ha accettato") {
		t.Errorf("notice about Mario: %+v", other)
	}
	declined := Invitation{ID: 1, Slot: 1, Person: giulia, Status: InviteDeclined, Reason: "ferie"}
	if n := b.openSlotNotice(team, declined, TeamPool{}, nil); !strings.HasPrefix(n.Reply.Text, "Hai rifiutato l'invito") {
		t.Errorf("decline notice about the coordinator to the coordinator: %q", n.Reply.Text)
	}
}
