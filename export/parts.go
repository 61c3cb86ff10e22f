package export

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/quirehq/quire"
)

// pageSize is how many notes, ideas, files or conversations are read at
// once: it bounds the memory an export holds (a note is at most 1 MiB).
const pageSize = 25

// maxAuditEvents is how many security events the archive holds at most,
// newest first.
const maxAuditEvents = 100000

// counts are the items of the owned workspaces, counted before the
// archive is written, for progress and the README.
type counts struct {
	Notes, Ideas, Chats, Files int
}

func (c counts) total() int { return c.Notes + c.Ideas + c.Chats + c.Files }

// count counts the items of the workspaces ws.
func (s *Service) count(ctx context.Context, ws []*quire.Workspace) (counts, error) {
	var c counts
	for _, w := range ws {
		_, n, err := s.cfg.Notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: w.ID, Limit: 1})
		if err != nil {
			return c, err
		}
		c.Notes += n
		_, n, err = s.cfg.Ideas.FindIdeas(ctx, quire.IdeaFilter{WorkspaceID: w.ID, Limit: 1})
		if err != nil {
			return c, err
		}
		c.Ideas += n
		_, n, err = s.cfg.Chats.FindConversations(ctx, w.ID, 0, 1)
		if err != nil {
			return c, err
		}
		c.Chats += n
		if s.cfg.Files != nil {
			_, n, err = s.cfg.Files.List(ctx, quire.FileFilter{WorkspaceID: w.ID, Limit: 1})
			if err != nil {
				return c, err
			}
			c.Files += n
		}
	}
	return c, nil
}

// profileJSON is profile.json: the account, its API keys (names and shown
// prefixes, never secrets) and its privacy settings.
type profileJSON struct {
	User    *quire.User            `json:"user"`
	APIKeys []apiKeyJSON           `json:"apiKeys"`
	Privacy *quire.PrivacySettings `json:"privacy,omitempty"`
}

type apiKeyJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
}

func (s *Service) writeProfile(a *archive, u *quire.User) error {
	keys, err := s.cfg.Accounts.FindAPIKeysByUser(a.ctx, u.ID)
	if err != nil {
		return err
	}
	p := profileJSON{User: u, APIKeys: make([]apiKeyJSON, 0, len(keys))}
	for _, k := range keys {
		p.APIKeys = append(p.APIKeys, apiKeyJSON{ID: k.ID, Name: k.Name, Prefix: k.Prefix, CreatedAt: k.CreatedAt, LastUsedAt: timePtr(k.LastUsedAt)})
	}
	if s.cfg.Privacy != nil {
		if p.Privacy, err = s.cfg.Privacy.FindPrivacySettings(a.ctx, u.ID); err != nil {
			return err
		}
	}
	return a.json("profile.json", p)
}

// workspaceJSON is one entry of workspaces.json: a workspace the user owns
// (with its members) or is a member of, with the user's role; a deleted
// one (its keys shredded, its rows not purged yet) has its identifiers
// only.
type workspaceJSON struct {
	ID        string              `json:"id"`
	Name      string              `json:"name,omitempty"`
	Region    quire.Region        `json:"region,omitempty"`
	OwnerID   string              `json:"ownerId"`
	CreatedAt time.Time           `json:"createdAt"`
	UpdatedAt *time.Time          `json:"updatedAt,omitempty"`
	Owner     bool                `json:"owner"`
	Role      quire.Role          `json:"role"`
	Deleted   bool                `json:"deleted,omitempty"`
	Note      string              `json:"note,omitempty"`
	Members   []*quire.Membership `json:"members,omitempty"`
}

func (s *Service) writeWorkspaces(a *archive, userID string, all []membership) error {
	return a.jsonArray("workspaces.json", func(emit func(v any) error) error {
		for _, m := range all {
			v := workspaceJSON{ID: m.WorkspaceID, OwnerID: m.OwnerID, CreatedAt: m.CreatedAt, Role: m.Role, Owner: m.OwnerID == userID}
			if m.ws == nil {
				v.Deleted, v.Note = true, "deleted workspace"
			} else {
				v.Name, v.Region, v.CreatedAt, v.UpdatedAt = m.ws.Name, m.ws.Region, m.ws.CreatedAt, timePtr(m.ws.UpdatedAt)
				if v.Owner {
					members, err := s.cfg.Workspaces.FindMembers(a.ctx, m.WorkspaceID)
					if err != nil {
						return err
					}
					v.Members = members
				}
			}
			if err := emit(v); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) writeFolders(a *archive, owned []*quire.Workspace) error {
	return a.jsonArray("folders.json", func(emit func(v any) error) error {
		for _, ws := range owned {
			folders, err := s.cfg.Folders.FindFolders(a.ctx, ws.ID)
			if err != nil {
				return err
			}
			for _, f := range folders {
				if err := emit(f); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// writeChats writes chats/<id>.json for every conversation of the owned
// workspaces: the conversation's fields, then its messages, oldest first,
// written one at a time.
func (s *Service) writeChats(a *archive, owned []*quire.Workspace) error {
	for _, ws := range owned {
		err := s.eachID(a, quire.ExportConversations, ws.ID, func(id string) error {
			c, err := s.cfg.Chats.FindConversation(a.ctx, ws.ID, id)
			if quire.ErrorCode(err) == quire.ENOTFOUND {
				return nil // deleted meanwhile
			} else if err != nil {
				return err
			}
			if err := a.entry("chats/"+c.ID+".json", false, func(w io.Writer) error { return s.writeChat(a, w, c) }); err != nil {
				return err
			}
			a.item()
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// writeChat writes conversation c as a JSON object with a "messages"
// member after its fields, each message encoded and written on its own.
func (s *Service) writeChat(a *archive, w io.Writer, c *quire.Conversation) error {
	msgs, err := s.cfg.Chats.FindChatMessages(a.ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return err
	}
	head, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	head = bytes.TrimSuffix(head, []byte("\n}"))
	if _, err := w.Write(append(head, ",\n  \"messages\": ["...)); err != nil {
		return err
	}
	for i, m := range msgs {
		b, err := json.MarshalIndent(m, "    ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n    "
		if i == 0 {
			sep = "\n    "
		}
		if _, err := w.Write(append([]byte(sep), b...)); err != nil {
			return err
		}
		msgs[i] = nil // written: let it go
	}
	_, err = io.WriteString(w, "\n  ]\n}\n")
	return err
}

// sharesJSON is shares.json: the folder shares the user's workspaces
// granted, and those granted to the user.
type sharesJSON struct {
	Granted  []*quire.FolderShare `json:"granted"`
	Received []receivedJSON       `json:"received"`
}

// receivedJSON is a share granted to the user.
type receivedJSON struct {
	ShareID     string                `json:"shareId"`
	WorkspaceID string                `json:"workspaceId"`
	FolderID    string                `json:"folderId"`
	Permission  quire.SharePermission `json:"permission"`
	InvitedBy   string                `json:"invitedBy"`
	AcceptedAt  time.Time             `json:"acceptedAt"`
}

func (s *Service) writeShares(a *archive, userID string, owned []*quire.Workspace) error {
	out := sharesJSON{Granted: []*quire.FolderShare{}, Received: []receivedJSON{}}
	if s.cfg.Shares != nil {
		for _, ws := range owned {
			list, err := s.cfg.Shares.FindShares(a.ctx, ws.ID, "")
			if err != nil {
				return err
			}
			out.Granted = append(out.Granted, list...)
		}
		got, err := s.cfg.Shares.SharesForUser(a.ctx, userID)
		if err != nil {
			return err
		}
		for _, g := range got {
			out.Received = append(out.Received, receivedJSON{ShareID: g.ShareID, WorkspaceID: g.WorkspaceID, FolderID: g.FolderID,
				Permission: g.Permission, InvitedBy: g.InvitedBy, AcceptedAt: g.AcceptedAt})
		}
	}
	return a.json("shares.json", out)
}

// sessionJSON is one entry of sessions.json; the token is never included.
type sessionJSON struct {
	ID         string    `json:"id"`
	Stage      string    `json:"stage,omitempty"`
	UserAgent  string    `json:"userAgent"`
	CreatedAt  time.Time `json:"createdAt"`
	LastSeenAt time.Time `json:"lastSeenAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

func (s *Service) writeSessions(a *archive, userID string) error {
	list, err := s.cfg.Accounts.FindSessionsByUser(a.ctx, userID)
	if err != nil {
		return err
	}
	out := make([]sessionJSON, 0, len(list))
	for _, x := range list {
		out = append(out, sessionJSON{ID: x.ID, Stage: x.Stage, UserAgent: x.UserAgent, CreatedAt: x.CreatedAt, LastSeenAt: x.LastSeenAt, ExpiresAt: x.ExpiresAt})
	}
	return a.json("sessions.json", out)
}

// eventJSON is one entry of security-events.json.
type eventJSON struct {
	Seq   int64             `json:"seq"`
	At    time.Time         `json:"at"`
	Event string            `json:"event"`
	Meta  map[string]string `json:"meta,omitempty"`
}

func (s *Service) writeSecurityEvents(a *archive, userID string) error {
	list, err := s.cfg.Accounts.FindAudit(a.ctx, userID, maxAuditEvents)
	if err != nil {
		return err
	}
	return a.jsonArray("security-events.json", func(emit func(v any) error) error {
		for _, e := range list {
			if err := emit(eventJSON{Seq: e.Seq, At: e.At, Event: e.Event, Meta: e.Meta}); err != nil {
				return err
			}
		}
		return nil
	})
}

// timePtr is t, or nil when zero.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
