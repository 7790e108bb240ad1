-- The sync bucket admits blob keys only, and no object larger than the default quota.
--
-- Purpose: the insert policy admitted any key under the caller's own prefix, so a user could
-- write objects that are no blob (`<owner>/notes.txt`): counted in quota, never collected (no
-- blob row names them) and undeletable by the user (no delete policy). Users may now insert only
-- `<owner>/<sha256[0:2]>/<sha256>`, the key of a content-addressed blob; pack keys will get their
-- own pattern when packs exist. The bucket's `file_size_limit` makes Storage refuse, at TUS
-- creation and on every upload, an object larger than the default quota (10 GiB): no single
-- blob can ever fit above it, so its partial bytes never sit outside the quota.
-- Objects: policy "Users can upload blobs under their own prefix" (altered: blob keys only),
--   bucket `sandsync` file_size_limit.

alter policy "Users can upload blobs under their own prefix" on storage.objects
  with check (
    bucket_id = 'sandsync'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and name ~ '^[0-9a-f-]{36}/[0-9a-f]{2}/[0-9a-f]{64}$'
    and split_part(name, '/', 2) = left(split_part(name, '/', 3), 2)
  );

update storage.buckets set file_size_limit = 10737418240 where id = 'sandsync';
