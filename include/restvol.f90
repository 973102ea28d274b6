! restvol: Fortran interfaces to restvol's C API (include/restvol.h), which is the C API of
! HDF Group's REST VOL. Compile this file with your program (CMake: link restvol::fortran) and
! link librestvol and HDF5's Fortran library:
!
!   use hdf5
!   use restvol
!   call h5open_f(hdferr)
!   call h5rest_init_f(hdferr)
!   call h5pcreate_f(H5P_FILE_ACCESS_F, fapl, hdferr)
!   call h5pset_fapl_rest_vol_f(fapl, hdferr)
!   call h5fcreate_f('/home/me/data.h5', H5F_ACC_TRUNC_F, file, hdferr, access_prp=fapl)
!   ...
!   call h5rest_term_f(hdferr)
!
! The subroutines follow HDF5's Fortran conventions (a trailing hdferr: 0 on success, -1 on
! failure); the functions with the C names are the bind(C) interfaces they call.
module restvol
  use, intrinsic :: iso_c_binding, only: c_int, c_int64_t, c_ptr, c_char, c_null_char, &
                                         c_associated, c_f_pointer
  use hdf5, only: hid_t
  implicit none
  private

  !> Name of the connector, as in HDF5_VOL_CONNECTOR=REST.
  character(len=*), parameter, public :: H5_VOL_REST_NAME = 'REST'
  !> Registered value of the REST VOL connector.
  integer, parameter, public :: H5_VOL_REST_CLS_VAL = 520

  public :: H5rest_init, H5rest_term, H5Pset_fapl_rest_vol, H5rest_get_object_uri
  public :: h5rest_init_f, h5rest_term_f, h5pset_fapl_rest_vol_f, h5rest_get_object_uri_f

  interface
    !> herr_t H5rest_init(void)
    integer(c_int) function H5rest_init() bind(C, name='H5rest_init')
      import :: c_int
    end function H5rest_init

    !> herr_t H5rest_term(void)
    integer(c_int) function H5rest_term() bind(C, name='H5rest_term')
      import :: c_int
    end function H5rest_term

    !> herr_t H5Pset_fapl_rest_vol(hid_t fapl_id)
    integer(c_int) function H5Pset_fapl_rest_vol(fapl_id) bind(C, name='H5Pset_fapl_rest_vol')
      import :: c_int, c_int64_t
      integer(c_int64_t), value :: fapl_id ! hid_t
    end function H5Pset_fapl_rest_vol

    !> const char *H5rest_get_object_uri(hid_t obj_id)
    type(c_ptr) function H5rest_get_object_uri(obj_id) bind(C, name='H5rest_get_object_uri')
      import :: c_ptr, c_int64_t
      integer(c_int64_t), value :: obj_id ! hid_t
    end function H5rest_get_object_uri
  end interface

contains

  !> Initializes restvol and registers the REST connector (optional: h5pset_fapl_rest_vol_f
  !! does it on first use).
  subroutine h5rest_init_f(hdferr)
    integer, intent(out) :: hdferr
    hdferr = status(H5rest_init())
  end subroutine h5rest_init_f

  !> Releases the registration made by h5rest_init_f.
  subroutine h5rest_term_f(hdferr)
    integer, intent(out) :: hdferr
    hdferr = status(H5rest_term())
  end subroutine h5rest_term_f

  !> Sets the REST connector on the file access property list fapl_id.
  subroutine h5pset_fapl_rest_vol_f(fapl_id, hdferr)
    integer(hid_t), intent(in) :: fapl_id
    integer, intent(out) :: hdferr
    hdferr = status(H5Pset_fapl_rest_vol(int(fapl_id, c_int64_t)))
  end subroutine h5pset_fapl_rest_vol_f

  !> The REST URI (HSDS id) of the object obj_id in uri, blank-padded; hdferr is -1 when
  !! obj_id is not a restvol object or uri is too short.
  subroutine h5rest_get_object_uri_f(obj_id, uri, hdferr)
    integer(hid_t), intent(in) :: obj_id
    character(len=*), intent(out) :: uri
    integer, intent(out) :: hdferr
    type(c_ptr) :: cstr
    character(kind=c_char), pointer :: chars(:)
    integer :: n

    uri = ' '
    hdferr = -1
    cstr = H5rest_get_object_uri(int(obj_id, c_int64_t))
    if (.not. c_associated(cstr)) return
    ! Object URIs are short; 256 is REST VOL's URI_MAX_LENGTH.
    call c_f_pointer(cstr, chars, [256])
    n = 0
    do while (n < 256)
      if (chars(n + 1) == c_null_char) exit
      n = n + 1
    end do
    if (n > len(uri)) return
    uri(1:n) = transfer(chars(1:n), uri(1:n))
    hdferr = 0
  end subroutine h5rest_get_object_uri_f

  integer function status(herr)
    integer(c_int), intent(in) :: herr
    status = 0
    if (herr < 0) status = -1
  end function status

end module restvol
