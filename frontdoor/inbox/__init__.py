"""The coordinators' inbox: sign-in, threads, replies, notes, cover and leave."""
