// Package bouthelios holds the end-to-end test of the Hélios flow (Xfluco):
// a PES dropped in the accounting software's export folder of a mairie PC,
// deposited in the parapheur, signed with the élu's key on a SoftHSM2 token,
// handed to central, sent to the simulated DGFiP, and its acquit (or its
// refusal, explained in French) back on the poste with a notification. It
// holds no code: only the test.
package bouthelios
