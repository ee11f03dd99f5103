// Preloaded (`node --require`) into the emulators the local cloud starts as child processes:
// when the cloud goes away without stopping them (killed with SIGKILL, a crash), the child is
// re-parented, and it exits instead of holding its port with no one left to stop it.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();
