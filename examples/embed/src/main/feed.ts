// The feed this app updates from and the key its releases are signed with (`tidings keygen` prints it; the
// private half stays with whoever publishes). Replace both with your own. This key's private half was thrown
// away, so as it stands nothing is ever offered: only a release signed by one of these keys is.
export const FEED_URL = 'https://feed.example.com';
export const PUBLISHER_KEYS = ['IvyCMaBgZLDI1vCjBSjeJJHvqA5JP63o+sJoUwvzP84='];
