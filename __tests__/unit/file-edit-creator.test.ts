import { describe, expect, it } from 'vitest'
import { creatorOf } from '../../src/modules/file-edit.js'

describe('creatorOf: who wrote a new file, from one `id`', () => {
  it("reads GNU coreutils' and BusyBox's output", () => {
    expect(creatorOf('uid=1001(deploy) gid=1002(www-data) groups=1002(www-data),27(sudo)')).toEqual(
      {
        uid: 1001,
        gid: 1002,
        owner: 'deploy',
        group: 'www-data'
      }
    )
    expect(creatorOf('uid=0(root) gid=0(root)')).toEqual({
      uid: 0,
      gid: 0,
      owner: 'root',
      group: 'root'
    })
  })

  it('leaves a name empty where none resolves, as `id -un` printing nothing did', () => {
    expect(creatorOf('uid=4242 gid=4343(staff) groups=4343(staff)')).toEqual({
      uid: 4242,
      gid: 4343,
      owner: '',
      group: 'staff'
    })
    expect(creatorOf('uid=4242 gid=4343 groups=4343')).toEqual({
      uid: 4242,
      gid: 4343,
      owner: '',
      group: ''
    })
  })

  it('is undefined when `id` printed nothing of the kind', () => {
    expect(creatorOf(undefined)).toBeUndefined()
    expect(creatorOf('')).toBeUndefined()
    expect(creatorOf('sh: 1: id: not found')).toBeUndefined()
  })
})
