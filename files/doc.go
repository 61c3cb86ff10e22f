// Package files keeps attachments: their bytes in the encrypted blob store
// (package blob), their metadata in a quire.FileService, and the two in
// step.
//
// Every operation that touches both orders its steps so that a failure or
// a crash at any point leaves at worst a blob without a row, never a row
// without its blob: an upload writes the blob first and the row second,
// and deletes the blob again if the row cannot be written; a delete
// removes the row first and the blob second. A blob left without a row (a
// crash between two steps, a note deleted with its files' rows by a folder
// delete) is unreadable garbage, and Sweep removes it.
//
// A file's type is sniffed from its content (blob.Sniff), never taken from
// the client; its name is user content, encrypted by the metadata store;
// its bytes are encrypted by the blob store under the workspace's keys.
package files
