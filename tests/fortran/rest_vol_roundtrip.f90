! rest_vol_roundtrip FILE: the checks of h5_roundtrip, with the connector selected in code
! through restvol's Fortran module (h5rest_init_f, h5pset_fapl_rest_vol_f, h5rest_term_f), as a
! program written for HDF Group's REST VOL does; no HDF5_VOL_CONNECTOR needed. Also checks that
! h5rest_get_object_uri_f gives the file's and a group's HSDS ids.
program rest_vol_roundtrip
  use hdf5
  use restvol
  use roundtrip_checks
  implicit none
  character(len=1024) :: filename
  character(len=64) :: file_uri, group_uri
  integer(hid_t) :: fapl, file, grp, driver
  integer :: hdferr

  if (command_argument_count() /= 1) then
    write (*, '(a)') 'usage: rest_vol_roundtrip FILE'
    error stop 2
  end if
  call get_command_argument(1, filename)
  call h5open_f(hdferr)
  if (hdferr < 0) error stop 'h5open_f failed'
  call h5rest_init_f(hdferr)
  if (hdferr < 0) error stop 'h5rest_init_f failed'
  call h5pcreate_f(H5P_FILE_ACCESS_F, fapl, hdferr)
  call h5pset_fapl_rest_vol_f(fapl, hdferr)
  if (hdferr < 0) error stop 'h5pset_fapl_rest_vol_f failed'
  call h5pget_vol_id_f(fapl, driver, hdferr)
  if (hdferr < 0) error stop 'h5pget_vol_id_f failed'
  call h5vlclose_f(driver, hdferr)

  call write_file(trim(filename), fapl)
  call check_file(trim(filename), fapl)

  call h5fopen_f(trim(filename), H5F_ACC_RDONLY_F, file, hdferr, access_prp=fapl)
  call h5rest_get_object_uri_f(file, file_uri, hdferr)
  if (hdferr < 0 .or. file_uri(1:2) /= 'g-') error stop 'file URI is not a group id'
  call h5gopen_f(file, 'grid', grp, hdferr)
  call h5rest_get_object_uri_f(grp, group_uri, hdferr)
  if (hdferr < 0 .or. group_uri(1:2) /= 'g-' .or. group_uri == file_uri) then
    error stop 'group URI is not its own group id'
  end if
  write (*, '(4a)') 'uri: / ', trim(file_uri), ' /grid ', trim(group_uri)
  call h5rest_get_object_uri_f(fapl, group_uri, hdferr)
  if (hdferr >= 0) error stop 'a property list has a URI'
  call h5gclose_f(grp, hdferr)
  call h5fclose_f(file, hdferr)

  call h5pclose_f(fapl, hdferr)
  call h5rest_term_f(hdferr)
  if (hdferr < 0) error stop 'h5rest_term_f failed'
  call h5close_f(hdferr)
  write (*, '(a)') 'all checks passed'
end program rest_vol_roundtrip
