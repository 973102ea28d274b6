//! Direct access: spawning, health-checking and stopping the local SN/DN subprocesses that the
//! connector uses when no remote endpoint is configured.
