package http

import (
	"net/http"
)

// registerSharedContent registers the notes and ideas routes of a folder
// shared with the caller, under /api/v1/shared/{share}: the same handlers,
// shapes and errors as /api/v1/notes and /api/v1/ideas, acting in the
// owner's workspace through the sharing service's notes and ideas, which
// let through only what the share allows.
func (s *Server) registerSharedContent(h *sharesAPI) {
	shared := notesWithFiles(s.cfg.Notes, s.cfg.Files)
	notes := func(fn func(*notesAPI, http.ResponseWriter, *http.Request) error) HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) error {
			a, err := requireActor(r)
			if err != nil {
				return err
			}
			notes, g, err := h.sharing.Notes(r.Context(), a.UserID, r.PathValue("share"), shared)
			if err != nil {
				return err
			}
			return fn(&notesAPI{s: s, notes: notes, grant: g}, w, r)
		}
	}
	ideas := func(fn func(*ideasAPI, http.ResponseWriter, *http.Request) error) HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) error {
			a, err := requireActor(r)
			if err != nil {
				return err
			}
			ideas, g, err := h.sharing.Ideas(r.Context(), a.UserID, r.PathValue("share"), s.cfg.Ideas)
			if err != nil {
				return err
			}
			return fn(&ideasAPI{s: s, ideas: ideas, folders: s.cfg.Folders, grant: g}, w, r)
		}
	}
	const n, i = "/api/v1/shared/{share}/notes", "/api/v1/shared/{share}/ideas"
	s.Handle("GET "+n, notes((*notesAPI).list))
	s.Mount("POST "+n, BodyLimit(maxNoteBody, s.handlerFunc(notes((*notesAPI).create))))
	s.Handle("GET "+n+"/{id}", notes((*notesAPI).get))
	s.Mount("PATCH "+n+"/{id}", BodyLimit(maxNoteBody, s.handlerFunc(notes((*notesAPI).update))))
	s.Handle("DELETE "+n+"/{id}", notes((*notesAPI).delete))
	s.Handle("GET "+n+"/{id}/export", notes((*notesAPI).export))
	s.Handle("GET "+n+"/{id}/versions", notes((*notesAPI).versions))
	s.Handle("GET "+n+"/{id}/versions/{version}", notes((*notesAPI).getVersion))
	s.Handle("POST "+n+"/{id}/versions/{version}/restore", notes((*notesAPI).restore))
	s.Handle("GET "+i, ideas((*ideasAPI).list))
	s.Mount("POST "+i, BodyLimit(maxIdeaBody, s.handlerFunc(ideas((*ideasAPI).create))))
	s.Handle("GET "+i+"/{id}", ideas((*ideasAPI).get))
	s.Mount("PATCH "+i+"/{id}", BodyLimit(maxIdeaBody, s.handlerFunc(ideas((*ideasAPI).update))))
	s.Handle("DELETE "+i+"/{id}", ideas((*ideasAPI).delete))
	s.Mount("POST "+i+"/{id}/promote", BodyLimit(maxEmptyBody, s.handlerFunc(ideas((*ideasAPI).promote))))
}
