// The one size bound of the wire (syftbox-spec.md "Workspace", DESIGN.md
// "Reconcile"): SyftBox pushes .request/.response files at once only up to
// 4 MiB frames with the file base64'd inside, so no request or response file
// of ours exceeds 3 MiB, envelope and both base64 layers included.
export const MAX_REQUEST_FILE_BYTES = 3 * 1024 * 1024;
