/** Whether an address (a socket's peer, or HOST) is this computer's own loopback. */
export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.') || address === 'localhost';
}
