// Package subproc lists the sub-processors of a deployment (claim SUB-1):
// every external service that this configuration actually sends data to,
// with its purpose, what it receives, its region and the operator's
// attestation. The list is computed from the loaded configuration alone, so
// it is exactly as current as the process that shows it.
//
// Services that run on this machine (SQLite, files on local disk, and any
// server reached on a loopback address) receive nothing from outside it:
// they are omitted from the list and named by Local instead.
package subproc
