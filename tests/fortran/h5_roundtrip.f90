! h5_roundtrip FILE: a plain HDF5 Fortran program (no restvol code). It writes FILE, opens it
! again and checks every value (module roundtrip_checks). Run it unchanged through restvol with
!   HDF5_VOL_CONNECTOR=REST HDF5_PLUGIN_PATH=<dir holding librestvol.so>
! Exit status 0 and "all checks passed" when every check passes.
program h5_roundtrip
  use hdf5
  use roundtrip_checks
  implicit none
  character(len=1024) :: filename
  integer :: hdferr

  if (command_argument_count() /= 1) then
    write (*, '(a)') 'usage: h5_roundtrip FILE'
    error stop 2
  end if
  call get_command_argument(1, filename)
  call h5open_f(hdferr)
  if (hdferr < 0) error stop 'h5open_f failed'
  call write_file(trim(filename), H5P_DEFAULT_F)
  call check_file(trim(filename), H5P_DEFAULT_F)
  call h5close_f(hdferr)
  write (*, '(a)') 'all checks passed'
end program h5_roundtrip
